/** A botocore shape reduced to what request validation needs (see scripts/generate-models.js). */
export type ShapeType =
  | 'structure'
  | 'list'
  | 'map'
  | 'string'
  | 'blob'
  | 'integer'
  | 'long'
  | 'boolean'
  | 'timestamp'
  | 'double'
  | 'float';

export interface Shape {
  type: ShapeType;
  /** structure: member name -> shape name, in model order */
  members?: Record<string, string>;
  required?: string[];
  /** list: element shape name */
  member?: string;
  /** map: key and value shape names */
  key?: string;
  value?: string;
  /** length (string, blob), element count (list, map) or value (numbers) bounds */
  min?: number;
  max?: number;
  /** Java-style regular expression the whole string must match */
  pattern?: string;
  enum?: string[];
  sensitive?: true;
}

/** What a query-protocol service's model adds to its operations and shapes (IAM, STS). */
export interface QueryModel {
  apiVersion: string;
  xmlNamespace: string;
  /** HTTP status of each modelled error code. */
  errorStatus: Record<string, number>;
}
