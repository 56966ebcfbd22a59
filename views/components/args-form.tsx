// The chosen function's arguments as a typed form (from its JSON Schema, via the field tree of
// src/features/jobs/args-form.ts), with the JSON text one click away. Works without JavaScript: the mode is a
// pair of radio buttons (CSS shows the chosen editor), "Add row" is a submit button the server answers with
// the form again, and every list keeps one spare row. htmx swaps the editor when the function changes, and turns
// "Add row" into a request for just the new row (ListRowFragment), added in place with the focus in it.
import type { ArgField, NamedField } from '../../src/features/jobs/args-form.ts';
import { inputId, inputName, pathKey } from '../../src/features/jobs/args-form.ts';
import type { FunctionView } from '../types.ts';

export type ArgsMode = 'form' | 'json';

export interface ArgsEditorProps {
  fn: FunctionView | undefined;
  fields: NamedField[];
  mode: ArgsMode;
  /** The values to show (kwargs; a stored secret reads {"set": true}). */
  values: Record<string, unknown>;
  /** Messages by value path ('' for the whole object), from the form reader and the service's 422. */
  errors: Record<string, string[]>;
  /** Text typed into JSON fields that did not parse, by value path. */
  raw: Record<string, string>;
  /** Extra spare rows asked for with "Add row", by list input name. */
  spare: Record<string, number>;
  /** The JSON editor's text. */
  json: string;
  /** Problems with the JSON text (JSON mode). */
  jsonErrors: string[];
}

type Path = (string | number)[];

interface Ctx {
  errors: Record<string, string[]>;
  raw: Record<string, string>;
  spare: Record<string, number>;
  /** The function's key: "Add row" asks the server for a row of this function's list. */
  func: string;
  /** Set while rendering a row added in place: its first input takes the focus (htmx honours autofocus). */
  focus?: { pending: boolean };
}

/** Whether this input is the one to focus (the first one rendered while a focus is pending). */
function takesFocus(ctx: Ctx): true | undefined {
  if (!ctx.focus?.pending) return undefined;
  ctx.focus.pending = false;
  return true;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStoredSecret = (value: unknown) => isObject(value) && value.set === true;

function labelOf(path: Path): string {
  return path
    .filter((segment) => typeof segment === 'string')
    .join(' › ')
    .replaceAll('_', ' ');
}

function helpOf(field: ArgField): string {
  const parts: string[] = [];
  if (field.description) parts.push(field.description);
  if (field.kind === 'number') {
    const kind = field.integer ? 'A whole number' : 'A number';
    if (field.minimum !== undefined && field.maximum !== undefined)
      parts.push(`${kind} from ${field.minimum} to ${field.maximum}.`);
    else if (field.minimum !== undefined) parts.push(`${kind}, at least ${field.minimum}.`);
    else if (field.maximum !== undefined) parts.push(`${kind}, at most ${field.maximum}.`);
    else parts.push(`${kind}.`);
  }
  if (field.kind === 'text' && field.maxLength !== undefined)
    parts.push(`At most ${field.maxLength} characters.`);
  if (field.kind === 'text' && field.format === 'uri') parts.push('A full URL (https://…).');
  if (field.kind === 'text' && field.secret)
    parts.push('Write-only: stored encrypted and never shown again.');
  if (field.kind === 'json')
    parts.push('JSON (a string in "quotes", a number, true/false, null, [..] or {..}).');
  if (field.kind === 'array' && field.minItems) parts.push(`At least ${field.minItems}.`);
  if (field.default !== undefined && !(field.kind === 'text' && field.secret))
    parts.push(`Default: ${JSON.stringify(field.default)}.`);
  return parts.join(' ');
}

function Messages(props: { id: string; messages: string[] | undefined }) {
  if (!props.messages?.length) return null;
  return (
    <p class="field-error" id={props.id}>
      {props.messages.join('; ')}
    </p>
  );
}

function describedBy(...ids: (string | false | undefined)[]) {
  const list = ids.filter(Boolean);
  return list.length ? list.join(' ') : undefined;
}

/** One scalar input (text, secret, number, switch, select, JSON) with its label, help and messages. */
function ScalarField(props: { field: ArgField; path: Path; value: unknown; ctx: Ctx; label?: string }) {
  const { field, path, value, ctx } = props;
  const name = inputName(path);
  const id = inputId(name);
  const key = pathKey(path);
  const messages = ctx.errors[key];
  const help = helpOf(field);
  const helpId = help ? `${id}-help` : undefined;
  const errorId = messages?.length ? `${id}-error` : undefined;
  const label = props.label ?? labelOf(path);
  const invalid = errorId ? 'true' : undefined;
  const required = field.required && field.default === undefined;
  const autofocus = takesFocus(ctx);
  const labelText = (
    <>
      {label}
      {required ? <span class="required"> (required)</span> : null}
    </>
  );
  let control: unknown;
  switch (field.kind) {
    case 'boolean':
      return (
        <div class="field switch-field">
          <input type="hidden" name={name} value="false" />
          <label for={id} class="switch-label">
            <input
              id={id}
              name={name}
              autofocus={autofocus}
              type="checkbox"
              // biome-ignore lint/a11y/useAriaPropsForRole: a native checkbox gives the switch its checked state
              role="switch"
              value="true"
              checked={value === true}
              aria-describedby={describedBy(helpId, errorId)}
            />{' '}
            {labelText}
          </label>
          {help ? (
            <p class="hint" id={helpId}>
              {help}
            </p>
          ) : null}
          <Messages id={`${id}-error`} messages={messages} />
        </div>
      );
    case 'enum': {
      const current = value === undefined ? '' : String(value);
      control = (
        <select
          id={id}
          name={name}
          autofocus={autofocus}
          aria-invalid={invalid}
          aria-describedby={describedBy(helpId, errorId)}
        >
          {!field.required && field.default === undefined ? (
            <option value="" selected={current === ''}>
              (not set)
            </option>
          ) : null}
          {field.options.map((option) => (
            <option value={String(option)} selected={String(option) === current}>
              {String(option)}
            </option>
          ))}
        </select>
      );
      break;
    }
    case 'number':
      control = (
        <input
          id={id}
          name={name}
          autofocus={autofocus}
          type="number"
          step={field.integer ? '1' : 'any'}
          min={field.minimum}
          max={field.maximum}
          value={value === undefined ? '' : String(value)}
          aria-invalid={invalid}
          aria-describedby={describedBy(helpId, errorId)}
        />
      );
      break;
    case 'text':
      if (field.secret) {
        const stored = isStoredSecret(value);
        return (
          <div class="field">
            <label for={id}>{labelText}</label>
            {stored ? <input type="hidden" name={`${name}:stored`} value="true" /> : null}
            <input
              id={id}
              name={name}
              autofocus={autofocus}
              type="password"
              autocomplete="new-password"
              value=""
              placeholder={stored ? 'stored; leave empty to keep' : undefined}
              aria-invalid={invalid}
              aria-describedby={describedBy(helpId, errorId)}
            />
            {stored ? (
              <label class="inline-check" for={`${id}--clear`}>
                <input id={`${id}--clear`} type="checkbox" name={`${name}:clear`} value="true" /> Clear the
                stored value
              </label>
            ) : null}
            {help ? (
              <p class="hint" id={helpId}>
                {help}
              </p>
            ) : null}
            <Messages id={`${id}-error`} messages={messages} />
          </div>
        );
      }
      control = (
        <input
          id={id}
          name={name}
          autofocus={autofocus}
          type={field.format === 'uri' ? 'url' : 'text'}
          maxlength={field.maxLength}
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
          spellcheck={false}
          autocomplete="off"
          aria-invalid={invalid}
          aria-describedby={describedBy(helpId, errorId)}
        />
      );
      break;
    default: {
      const text = ctx.raw[key] ?? (value === undefined ? '' : JSON.stringify(value, null, 2));
      control = (
        <textarea
          id={id}
          name={name}
          autofocus={autofocus}
          rows={Math.min(8, Math.max(2, text.split('\n').length))}
          spellcheck={false}
          aria-invalid={invalid}
          aria-describedby={describedBy(helpId, errorId)}
        >
          {text}
        </textarea>
      );
    }
  }
  return (
    <div class="field">
      <label for={id}>{labelText}</label>
      {control}
      {help ? (
        <p class="hint" id={helpId}>
          {help}
        </p>
      ) : null}
      <Messages id={`${id}-error`} messages={messages} />
    </div>
  );
}

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

function FieldNode(props: { field: ArgField; path: Path; value: unknown; ctx: Ctx }) {
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

/** Every message about the arguments in one list at the top (some may have no field of their own). */
function ErrorSummary(props: { errors: Record<string, string[]> }) {
  const entries = Object.entries(props.errors).filter(([, messages]) => messages.length);
  if (!entries.length) return null;
  return (
    <div class="alert args-errors" role="alert">
      <p>The arguments need attention:</p>
      <ul>
        {entries.map(([path, messages]) => (
          <li>
            {path ? <code>{path}</code> : 'arguments'}: {messages.join('; ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ArgsEditor(props: ArgsEditorProps) {
  const { fn } = props;
  if (!fn) {
    return (
      <div id="args-editor" class="args-editor">
        <input type="hidden" name="args_mode" value={props.mode} />
        <p class="hint">Pick a function to fill in its arguments.</p>
        <input type="hidden" name="kwargs" value={props.json} />
      </div>
    );
  }
  const ctx: Ctx = { errors: props.errors, raw: props.raw, spare: props.spare, func: fn.key };
  const jsonInvalid = props.jsonErrors.length > 0;
  return (
    <div id="args-editor" class="args-editor">
      <input type="hidden" name="args_func" value={fn.key} />
      <p class="hint">{fn.description}</p>
      <fieldset class="args-mode">
        <legend>Edit the arguments as</legend>
        <label for="args-mode-form">
          <input
            id="args-mode-form"
            type="radio"
            name="args_mode"
            value="form"
            checked={props.mode === 'form'}
          />{' '}
          a form
        </label>
        <label for="args-mode-json">
          <input
            id="args-mode-json"
            type="radio"
            name="args_mode"
            value="json"
            checked={props.mode === 'json'}
          />{' '}
          JSON
        </label>
      </fieldset>
      <div class="args-form-view">
        <ErrorSummary errors={props.errors} />
        {props.fields.length === 0 ? (
          <p class="hint">This function takes no arguments.</p>
        ) : (
          props.fields.map((field) => (
            <FieldNode field={field} path={[field.name]} value={props.values[field.name]} ctx={ctx} />
          ))
        )}
      </div>
      <div class="args-json-view field">
        <label for="kwargs">Arguments (JSON object)</label>
        <textarea
          id="kwargs"
          name="kwargs"
          rows={6}
          spellcheck={false}
          aria-invalid={jsonInvalid ? 'true' : undefined}
          aria-describedby={jsonInvalid ? 'kwargs-error' : 'kwargs-help'}
        >
          {props.json}
        </textarea>
        <p class="hint" id="kwargs-help">
          Used when "JSON" is chosen above; the form is used otherwise. Secret values read {'{"set": true}'}:
          leave that to keep them.
        </p>
        <Messages id="kwargs-error" messages={props.jsonErrors} />
      </div>
    </div>
  );
}
