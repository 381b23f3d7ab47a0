/**
 * A LIMIT whose value is bound per call, for prepared statements. Not a bare `LIMIT ?`: SQLite's planner reads a bare
 * parameter's bound value, so binding it expires the prepared statement and every call parses and plans it again
 * (≈ 10 µs, four times the lookup itself; it was most of an Identify's membership query). The planner does not look
 * into an expression, so the plan made at prepare time serves every limit.
 */
export const BOUND_LIMIT = 'LIMIT CAST(? AS INTEGER)';
