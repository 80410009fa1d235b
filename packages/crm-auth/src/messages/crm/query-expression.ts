/** One condition of a QueryExpression's criteria. */
export interface ConditionExpression {
  attribute: string;
  /** CRM ConditionOperator name: Equal, NotEqual, Null, NotNull, GreaterThan, LessThan, OnOrAfter, OnOrBefore, Like, … */
  operator: string;
  values: string[];
}

/** A CRM 4.0 QueryExpression (`…/crm/2006/Query`). */
export interface QueryExpression {
  entityName: string;
  columns: string[] | 'all';
  distinct?: boolean;
  criteria?: { filterOperator?: 'And' | 'Or'; conditions: ConditionExpression[] };
  orders?: { attribute: string; descending?: boolean }[];
  pageInfo?: { pageNumber: number; count: number; pagingCookie?: string | null };
}
