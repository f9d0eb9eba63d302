/** Extra dimensions of an observation (e.g. `{ level: "2" }`); part of its natural key. */
export type Dims = Record<string, string>;
