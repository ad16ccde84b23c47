/**
 * The `ip` field type. Elasticsearch stores every address as 16 bytes (IPv4 as IPv4-mapped IPv6), so an address
 * is represented here by the 32 hex digits of those bytes, which sort like the bytes.
 */
import ipaddr from "ipaddr.js";
import type { RangeOperator } from "./types.js";
import { ValueParseError } from "./query-error.js";
import { compareCodePoints } from "./values-string.js";

export interface IpRange {
  /** Inclusive bounds, as hex keys. */
  lo: string;
  hi: string;
}

function bytesOf(text: string): number[] | undefined {
  // InetAddresses.forString: dotted-quad IPv4 without leading zeros, or IPv6 (no zone id).
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return ipaddr.IPv4.parse(text).toIPv4MappedAddress().toByteArray();
  }
  if (!text.includes("%") && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text).toByteArray();
  return undefined;
}

function hex(bytes: number[]): string {
  let s = "";
  for (const b of bytes) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}

/** The key of an address, or undefined when Elasticsearch would not accept it. */
export function ipKey(text: string): string | undefined {
  const bytes = bytesOf(text);
  return bytes && hex(bytes);
}

/** Parses `addr/prefix` into the inclusive range it covers, or undefined when it is not a CIDR block. */
export function cidrRange(text: string): IpRange | undefined {
  const slash = text.indexOf("/");
  if (slash === -1) return undefined;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  const bytes = bytesOf(address);
  if (!bytes) return undefined;
  const prefixBits = Number(prefixText);
  if (prefixBits > (isV4 ? 32 : 128)) return undefined;
  // An IPv4 block is a block of IPv4-mapped IPv6 addresses.
  const prefix = prefixBits + (isV4 ? 96 : 0);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < 16; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    const mask = bits === 0 ? 0 : (0xff << (8 - bits)) & 0xff;
    lo.push(bytes[i]! & mask);
    hi.push((bytes[i]! & mask) | (~mask & 0xff));
  }
  return { lo: hex(lo), hi: hex(hi) };
}

/**
 * The query side of a term/match query on an ip field: an address, or a CIDR block (IpFieldMapper.termQuery).
 * Throws ValueParseError with Elasticsearch's message for anything else.
 */
export function ipTermRange(raw: string): IpRange {
  if (raw.includes("/")) {
    const address = raw.slice(0, raw.indexOf("/"));
    // InetAddresses.parseCidr: forString makes an IPv4-mapped IPv6 address an IPv4 one, and a prefix length
    // after it would be ambiguous (v4 or v6 bits), so Elasticsearch refuses the block.
    if (
      address.includes(":") &&
      ipaddr.IPv6.isValid(address) &&
      ipaddr.IPv6.parse(address).isIPv4MappedAddress()
    ) {
      throw new ValueParseError(
        `CIDR notation is not allowed with IPv6-mapped IPv4 address [${address} as it introduces ambiguity as to ` +
          "whether the prefix length should be interpreted as a v4 prefix length or a v6 prefix length",
      );
    }
    const range = cidrRange(raw);
    if (!range) throw new ValueParseError(`Expected [ip/prefix] but was [${raw}]`);
    return range;
  }
  const key = ipKey(raw);
  if (key === undefined) throw new ValueParseError(`'${raw}' is not an IP string literal.`);
  return { lo: key, hi: key };
}

/** A predicate over address keys for `field <op> raw`. */
export function ipRangeTest(operator: RangeOperator, raw: string): (key: string) => boolean {
  const bound = ipKey(raw);
  if (bound === undefined) throw new ValueParseError(`'${raw}' is not an IP string literal.`);
  switch (operator) {
    case "gt":
      return (k) => compareCodePoints(k, bound) > 0;
    case "gte":
      return (k) => compareCodePoints(k, bound) >= 0;
    case "lt":
      return (k) => compareCodePoints(k, bound) < 0;
    case "lte":
      return (k) => compareCodePoints(k, bound) <= 0;
  }
}

/** The key Elasticsearch indexes for a document value, or undefined (null, malformed: not indexed). */
export function ipFromDocument(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  // Parsing an address is slow next to a Map probe, and the same addresses come back in every clause that reads
  // them (a thousand exception items on source.ip): remember the recent ones.
  let key = documentKeys.get(value);
  if (key === undefined && !documentKeys.has(value)) {
    if (documentKeys.size >= 65_536) documentKeys.clear();
    key = ipKey(value);
    documentKeys.set(value, key);
  }
  return key;
}

const documentKeys = new Map<string, string | undefined>();

/** The usual text of an address key (IPv4-mapped addresses as IPv4). */
export function ipKeyText(key: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 2) bytes.push(parseInt(key.slice(i, i + 2), 16));
  const address = ipaddr.fromByteArray(bytes) as ipaddr.IPv6;
  return address.isIPv4MappedAddress() ? address.toIPv4Address().toString() : address.toString();
}
