/**
 * What the CLI needs of this package before it talks to Elasticsearch (option help, output formats, the error type
 * it maps to exit 2), without loading the Elasticsearch client: `@dac/elasticsearch/settings`.
 */

/** The environment variables a connection reads. Credentials come only from the environment. */
export const esEnv = {
  url: "DAC_ES_URL",
  apiKey: "DAC_ES_API_KEY",
  username: "DAC_ES_USERNAME",
  password: "DAC_ES_PASSWORD",
} as const;

/** A setting is missing or wrong, or the cluster cannot be reached: the CLI exits 2. */
export class ElasticsearchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElasticsearchError";
  }
}

/** The formats of `dac survey`. */
export const surveyFormats = ["pretty", "json", "markdown"] as const;
