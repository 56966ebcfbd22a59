// The syntax the legacy guard admits (legacy-guard.ts walks the tree): statement kinds, parse-tree node kinds
// and the fields of those nodes that carry no name of code to run. Anything not listed is refused, so a syntax
// added by a later parser cannot carry a call past the guard.

export const STATEMENTS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt']);

/** Parse-tree node kinds a SELECT/INSERT/UPDATE may contain. Anything else is refused. */
export const NODE_KINDS = new Set([
  ...STATEMENTS,
  'A_ArrayExpr',
  'A_Const',
  'A_Expr',
  'A_Indices',
  'A_Indirection',
  'A_Star',
  'Alias',
  'BitString',
  'BoolExpr',
  'Boolean',
  'BooleanTest',
  'CaseExpr',
  'CaseWhen',
  'CoalesceExpr',
  'CollateClause',
  'ColumnDef',
  'ColumnRef',
  'CommonTableExpr',
  'CTECycleClause',
  'CTESearchClause',
  'Float',
  'FuncCall',
  'GroupingFunc',
  'GroupingSet',
  'IndexElem',
  'InferClause',
  'Integer',
  'JoinExpr',
  'List',
  'LockingClause',
  'MinMaxExpr',
  'MultiAssignRef',
  'NullTest',
  'OnConflictClause',
  'ParamRef',
  'RangeFunction',
  'RangeSubselect',
  'RangeTableFunc',
  'RangeTableFuncCol',
  'RangeTableSample',
  'RangeVar',
  'ResTarget',
  'ReturningClause',
  'RowExpr',
  'SetToDefault',
  'SortBy',
  'SQLValueFunction',
  'String',
  'SubLink',
  'TypeCast',
  'TypeName',
  'WindowDef',
  'WithClause',
  'XmlExpr',
  'XmlSerialize',
]);

/**
 * Fields of those nodes that hold values, flags, positions, aliases or sub-nodes, but no name of code to run
 * (the fields that do are checked where they are met: funcname, name, operName, useOp, names, method,
 * fields, indirection, relname). A field not listed here is refused.
 */
export const PLAIN_FIELDS = new Set(
  `location stmt_location stmt_len targetList fromClause whereClause groupClause groupDistinct havingClause
  windowClause valuesLists sortClause limitOffset limitCount limitOption lockingClause withClause op all larg rarg
  distinctClause selectStmt cols onConflictClause returningClause returningList override relation targetList
  val ival sval fval boolval bsval isnull args agg_order agg_filter over agg_within_group agg_star agg_distinct
  func_variadic funcformat kind lexpr rexpr arg typeName typemod typmods arrayBounds setof pct_type typeOid
  boolop nulltesttype argisrow booltesttype subLinkType subLinkId testexpr subselect defresult casetype
  casecollid xpr expr result coalescetype coalescecollid minmaxtype minmaxcollid inputcollid elements
  row_format colnames collname sortby_dir sortby_nulls node partitionClause orderClause frameOptions
  startOffset endOffset refname inh relpersistence alias aliasname schemaname catalogname jointype isNatural
  quals usingClause join_using_alias lateral subquery ordinality is_rowsfrom functions coldeflist repeatable
  docexpr rowexpr namespaces columns colname coltype for_ordinality is_not_null colexpr coldefexpr
  items is_local is_from_type storage storage_name raw_default cooked_default identity generated collClause
  collOid constraints fdwoptions ctes recursive ctename aliascolnames ctematerialized ctequery search_clause
  cycle_clause cterecursive cterefcount ctecolnames ctecoltypes ctecoltypmods ctecolcollations
  search_col_list search_breadth_first search_seq_column cycle_col_list cycle_mark_column cycle_mark_value
  cycle_mark_default cycle_path_column action infer indexElems conname indexcolname opclass opclassopts
  ordering nulls_ordering source colno ncolumns content lidx uidx is_slice refassgnexpr strength
  waitPolicy lockedRels exprs options named_args arg_names xmloption indent isNull
  location_start relname content_type number list_start list_end typmod`
    .trim()
    .split(/\s+/),
);
