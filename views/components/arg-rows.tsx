// The repeatable parts of the typed arguments form: nested objects, maps (`z.record`: name/value rows) and
// lists, each keeping one spare row, with Remove per row and "Add row" (a submit button, or with htmx a request
// for the next row only: ListRowFragment).
import type { ArgField } from '../../src/features/jobs/args-form.ts';
import { inputId, inputName, pathKey } from '../../src/features/jobs/args-form.ts';
import {
  type Ctx,
  helpOf,
  isObject,
  labelOf,
  Messages,
  type Path,
  ScalarField,
  takesFocus,
} from './arg-field.tsx';

function RemoveCheck(props: { row: Path; label: string }) {
  const name = `${inputName(props.row)}:remove`;
  const id = inputId(name);
  return (
    <label class="inline-check remove" for={id}>
      <input id={id} type="checkbox" name={name} value="true" /> Remove {props.label}
    </label>
  );
}

/**
 * Without JavaScript a submit button (the server answers with the form and one more row); with htmx it asks
 * for row `next` only and replaces itself with that row and the button for the row after it.
 */
function AddRow(props: { name: string; label: string; next: number; func: string }) {
  const query = new URLSearchParams({ func: props.func, list: props.name, index: String(props.next) });
  return (
    <button
      type="submit"
      class="button secondary small"
      name="_form_action"
      value={`add:${props.name}`}
      hx-get={`/admin/function-args/row?${query}`}
      hx-target="this"
      hx-swap="outerHTML"
    >
      Add {props.label}
    </button>
  );
}

const ADD_LABEL = { record: 'a row', array: 'an item' } as const;

/** One row of a map (`z.record`): its name, its value, and Remove once it has a name. */
function RecordRow(props: {
  field: Extract<ArgField, { kind: 'record' }>;
  path: Path;
  index: number;
  entryKey: string;
  value: unknown;
  ctx: Ctx;
}) {
  const { field, path, index, entryKey, ctx } = props;
  const row = [...path, index];
  const keyName = `${inputName(row)}.key`;
  const keyMessages = ctx.errors[pathKey(row)];
  return (
    <div class="arg-row">
      <div class="field">
        <label for={inputId(keyName)}>Name {index + 1}</label>
        <input
          id={inputId(keyName)}
          name={keyName}
          value={entryKey}
          autocomplete="off"
          spellcheck={false}
          autofocus={takesFocus(ctx)}
          aria-invalid={keyMessages?.length ? 'true' : undefined}
        />
        <Messages id={`${inputId(keyName)}-error`} messages={keyMessages} />
      </div>
      <ValueAt
        field={field.value}
        inputPath={[...row, 'value']}
        valuePath={entryKey ? [...path, entryKey] : [...row, 'value']}
        value={props.value}
        label={`Value ${index + 1}`}
        ctx={ctx}
      />
      {entryKey ? <RemoveCheck row={row} label={entryKey} /> : null}
    </div>
  );
}

/** One item of a list; only stored items (not spare rows) can be removed. */
function ArrayRow(props: {
  field: Extract<ArgField, { kind: 'array' }>;
  path: Path;
  index: number;
  value: unknown;
  removable: boolean;
  ctx: Ctx;
}) {
  const row = [...props.path, props.index];
  return (
    <div class="arg-row">
      <ValueAt
        field={props.field.item}
        inputPath={row}
        valuePath={row}
        value={props.value}
        label={`Item ${props.index + 1}`}
        ctx={props.ctx}
      />
      {props.removable ? <RemoveCheck row={row} label={`item ${props.index + 1}`} /> : null}
    </div>
  );
}

/** What /admin/function-args/row answers: empty row `index` of a list, then the button for the next one. */
export function ListRowFragment(props: {
  func: string;
  field: Extract<ArgField, { kind: 'record' | 'array' }>;
  path: Path;
  index: number;
}) {
  const ctx: Ctx = { errors: {}, raw: {}, spare: {}, func: props.func, focus: { pending: true } };
  const { field, path, index } = props;
  return (
    <>
      {field.kind === 'record' ? (
        <RecordRow field={field} path={path} index={index} entryKey="" value={undefined} ctx={ctx} />
      ) : (
        <ArrayRow field={field} path={path} index={index} value={undefined} removable={false} ctx={ctx} />
      )}
      <AddRow name={inputName(path)} label={ADD_LABEL[field.kind]} next={index + 1} func={props.func} />
    </>
  );
}

export function FieldNode(props: { field: ArgField; path: Path; value: unknown; ctx: Ctx }) {
  const { field, path, value, ctx } = props;
  const name = inputName(path);
  const label = labelOf(path);
  const messages = ctx.errors[pathKey(path)];
  if (field.kind === 'object') {
    const object = isObject(value) ? value : {};
    return (
      <fieldset class="arg-group">
        <legend>{label}</legend>
        {field.description ? <p class="hint">{field.description}</p> : null}
        <Messages id={`${inputId(name)}-error`} messages={messages} />
        {field.fields.map((child) => (
          <FieldNode field={child} path={[...path, child.name]} value={object[child.name]} ctx={ctx} />
        ))}
      </fieldset>
    );
  }
  if (field.kind === 'record') {
    const entries = Object.entries(isObject(value) ? value : {});
    const spare = 1 + (ctx.spare[name] ?? 0);
    const rows: [string, unknown][] = [
      ...entries,
      ...Array.from({ length: spare }, (): [string, unknown] => ['', undefined]),
    ];
    const help = helpOf(field);
    return (
      <fieldset class="arg-group arg-rows">
        <legend>{label}</legend>
        <input type="hidden" name={`${name}:present`} value="true" />
        {help ? <p class="hint">{help} One entry per row; a row left empty is ignored.</p> : null}
        <Messages id={`${inputId(name)}-error`} messages={messages} />
        {rows.map(([key, item], index) => (
          <RecordRow field={field} path={path} index={index} entryKey={key} value={item} ctx={ctx} />
        ))}
        <AddRow name={name} label={ADD_LABEL.record} next={rows.length} func={ctx.func} />
      </fieldset>
    );
  }
  if (field.kind === 'array') {
    const items = Array.isArray(value) ? value : [];
    const spare = 1 + (ctx.spare[name] ?? 0);
    const rows = [...items, ...Array.from({ length: spare }, () => undefined)];
    const help = helpOf(field);
    return (
      <fieldset class="arg-group arg-rows">
        <legend>{label}</legend>
        <input type="hidden" name={`${name}:present`} value="true" />
        <p class="hint">{help ? `${help} ` : ''}One item per row; a row left empty is ignored.</p>
        <Messages id={`${inputId(name)}-error`} messages={messages} />
        {rows.map((item, index) => (
          <ArrayRow
            field={field}
            path={path}
            index={index}
            value={item}
            removable={index < items.length}
            ctx={ctx}
          />
        ))}
        <AddRow name={name} label={ADD_LABEL.array} next={rows.length} func={ctx.func} />
      </fieldset>
    );
  }
  return <ScalarField field={field} path={path} value={value} ctx={ctx} />;
}

/**
 * A row's value: rendered at its input names, but its messages come from the value path the service uses
 * (a record entry's key), so they are looked up there.
 */
function ValueAt(props: {
  field: ArgField;
  inputPath: Path;
  valuePath: Path;
  value: unknown;
  label: string;
  ctx: Ctx;
}) {
  const { ctx } = props;
  const from = pathKey(props.valuePath);
  const to = pathKey(props.inputPath);
  const remap = (record: Record<string, string[]> | Record<string, string>) =>
    Object.fromEntries(
      Object.entries(record)
        .filter(([key]) => key === from || key.startsWith(`${from}.`))
        .map(([key, v]) => [to + key.slice(from.length), v]),
    );
  const rowCtx: Ctx = {
    ...ctx,
    errors: { ...ctx.errors, ...(remap(ctx.errors) as Record<string, string[]>) },
    raw: { ...ctx.raw, ...(remap(ctx.raw) as Record<string, string>) },
  };
  if (props.field.kind === 'object' || props.field.kind === 'record' || props.field.kind === 'array') {
    return <FieldNode field={props.field} path={props.inputPath} value={props.value} ctx={rowCtx} />;
  }
  return (
    <ScalarField
      field={props.field}
      path={props.inputPath}
      value={props.value}
      ctx={rowCtx}
      label={props.label}
    />
  );
}
