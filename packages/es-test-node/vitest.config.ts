import { packageProject } from "../../vitest.shared.js";

export default packageProject("es-test-node");
