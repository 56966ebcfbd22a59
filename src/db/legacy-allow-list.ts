// What the legacy guard admits by name: side-effect-free functions, built-in types, operators and
// TABLESAMPLE methods. Everything not named here is refused. test/security/legacy-guard-catalog.test.ts checks
// each name against a real PostgreSQL 15: it must exist in pg_catalog, and every overload must be IMMUTABLE or
// STABLE unless it is listed in VOLATILE_BUT_HARMLESS below.

const words = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/));

/** Functions a read may call: pure computations on their arguments, no catalog or file access, no SQL text. */
export const READ_FUNCTIONS = words(`
  abs cbrt ceil ceiling degrees div exp factorial floor gcd lcm ln log log10 min_scale mod pi power radians
  round scale sign sqrt trim_scale trunc width_bucket random acos acosd asin asind atan atan2 atan2d atand cos
  cosd cot cotd sin sind tan tand sinh cosh tanh asinh acosh atanh
  ascii bit_length btrim char_length character_length chr concat concat_ws convert_from convert_to decode encode
  format initcap left length lower lpad ltrim md5 normalize is_normalized octet_length overlay position
  quote_ident quote_literal quote_nullable regexp_count regexp_instr regexp_like regexp_match regexp_matches
  regexp_replace regexp_split_to_array regexp_split_to_table regexp_substr repeat replace reverse right rpad
  rtrim sha224 sha256 sha384 sha512 split_part starts_with string_to_array string_to_table strpos substr
  substring to_ascii to_hex translate unistr upper like_escape similar_to_escape similar_escape
  age clock_timestamp date_bin date_part date_trunc extract isfinite justify_days justify_hours
  justify_interval make_date make_interval make_time make_timestamp make_timestamptz
  now statement_timestamp timeofday transaction_timestamp timezone to_char to_date to_number to_timestamp
  overlaps
  array_agg avg bit_and bit_or bool_and bool_or count every max min string_agg sum stddev stddev_pop
  stddev_samp variance var_pop var_samp corr covar_pop covar_samp regr_avgx regr_avgy regr_count
  regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy percentile_cont percentile_disc mode rank
  dense_rank percent_rank cume_dist row_number ntile lag lead first_value last_value nth_value
  json_agg jsonb_agg json_object_agg jsonb_object_agg xmlagg range_agg range_intersect_agg
  array_append array_cat array_dims array_fill array_length array_lower array_ndims array_position
  array_positions array_prepend array_remove array_replace array_to_string array_upper cardinality trim_array
  unnest generate_series generate_subscripts
  to_json to_jsonb row_to_json array_to_json json_build_array jsonb_build_array json_build_object
  jsonb_build_object json_object jsonb_object json_array_length jsonb_array_length json_each jsonb_each
  json_each_text jsonb_each_text json_extract_path jsonb_extract_path json_extract_path_text
  jsonb_extract_path_text json_object_keys jsonb_object_keys json_populate_record jsonb_populate_record
  json_populate_recordset jsonb_populate_recordset json_to_record jsonb_to_record json_to_recordset
  jsonb_to_recordset json_array_elements jsonb_array_elements json_array_elements_text
  jsonb_array_elements_text json_typeof jsonb_typeof json_strip_nulls jsonb_strip_nulls jsonb_set
  jsonb_set_lax jsonb_insert jsonb_pretty jsonb_path_exists jsonb_path_match jsonb_path_query
  jsonb_path_query_array jsonb_path_query_first jsonb_path_exists_tz jsonb_path_match_tz jsonb_path_query_tz
  jsonb_path_query_array_tz jsonb_path_query_first_tz
  xmlcomment xmlconcat2 xml_is_well_formed xml_is_well_formed_document xml_is_well_formed_content xpath
  xpath_exists text
  to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd
  ts_headline setweight strip numnode querytree tsvector_to_array array_to_tsvector
  gen_random_uuid num_nonnulls num_nulls pg_typeof bool int2 int4 int8 float4 float8 numeric date time
  timestamp timestamptz interval varchar bpchar name cidr host hostmask masklen netmask network
  family broadcast abbrev set_masklen
  area center diameter height width radius point box circle lseg line path polygon npoints isclosed isopen
  lower_inc upper_inc lower_inf upper_inf isempty range_merge int4range int8range numrange tsrange tstzrange
  daterange int4multirange int8multirange nummultirange tsmultirange tstzmultirange datemultirange multirange
`);

/** Functions that change nothing a reader sees but are still writes (sequence state): INSERT/UPDATE only. */
export const WRITE_FUNCTIONS = words('nextval currval lastval pg_get_serial_sequence');

/** Volatile built-ins on the lists above that have no effect outside the statement. */
export const VOLATILE_BUT_HARMLESS = words(`
  random clock_timestamp timeofday gen_random_uuid nextval lastval currval
`);

/**
 * Built-in types a literal or an expression may be cast to. A cast to any other type (a domain, a table's row
 * type, an extension type) may run code the guard cannot see. The reg* types resolve names to oids, a catalog
 * read with no effect; they are what to_regclass() would return.
 */
export const CAST_TYPES = words(`
  bool boolean int2 smallint int4 int integer int8 bigint numeric decimal float4 real float8 float double
  money text varchar char character bpchar name date time timetz timestamp timestamptz interval
  json jsonb jsonpath uuid bytea inet cidr macaddr macaddr8 bit varbit xml tsvector tsquery oid
  point line lseg box path polygon circle
  int4range int8range numrange tsrange tstzrange daterange int4multirange int8multirange nummultirange
  tsmultirange tstzmultirange datemultirange
  regclass regtype regnamespace regproc regprocedure regoper regoperator regrole regconfig regdictionary
  record
`);

/** Operators of the built-in types (comparison, arithmetic, text, json, arrays, ranges, network, search). */
export const OPERATORS = words(`
  = <> != < > <= >= + - * / % ^ |/ ||/ @ & | # ~ << >> || ~~ !~~ ~~* !~~* ~* !~ !~*
  -> ->> #> #>> #- @> <@ ? ?| ?& @? @@ @@@ && &< &> -|- <-> ^@ <<= >>= !!
`);

/** TABLESAMPLE methods are handler functions: only the two built in. */
export const TABLESAMPLE_METHODS = words('system bernoulli');
