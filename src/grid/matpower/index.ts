export { parseMatpower, readCase } from "./parse.js";
export { writeMatpower } from "./write.js";
