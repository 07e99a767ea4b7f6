/** The fleet file format's version: in its own module so `export` can name it without loading the zod schemas. */
export const FLEET_FILE_VERSION = 1;
