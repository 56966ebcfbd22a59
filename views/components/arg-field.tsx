// One argument field of the typed arguments form: a scalar input (text, secret, number, switch, select, JSON)
// with its label, help text and messages. Lists, maps and nested objects are in arg-rows.tsx; the editor
// around them in args-form.tsx.
import type { ArgField } from '../../src/features/jobs/args-form.ts';
import { inputId, inputName, pathKey } from '../../src/features/jobs/args-form.ts';

export type Path = (string | number)[];

export interface Ctx {
  errors: Record<string, string[]>;
  raw: Record<string, string>;
  spare: Record<string, number>;
  /** The function's key: "Add row" asks the server for a row of this function's list. */
  func: string;
  /** Set while rendering a row added in place: its first input takes the focus (htmx honours autofocus). */
  focus?: { pending: boolean };
}

/** Whether this input is the one to focus (the first one rendered while a focus is pending). */
export function takesFocus(ctx: Ctx): true | undefined {
  if (!ctx.focus?.pending) return undefined;
  ctx.focus.pending = false;
  return true;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStoredSecret = (value: unknown) => isObject(value) && value.set === true;

export function labelOf(path: Path): string {
  return path
    .filter((segment) => typeof segment === 'string')
    .join(' › ')
    .replaceAll('_', ' ');
}

export function helpOf(field: ArgField): string {
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

export function Messages(props: { id: string; messages: string[] | undefined }) {
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

/** What follows every input: its help text (the input's aria-describedby names it) and its messages. */
function FieldFooter(props: { id: string; help: string; messages: string[] | undefined }) {
  return (
    <>
      {props.help ? (
        <p class="hint" id={`${props.id}-help`}>
          {props.help}
        </p>
      ) : null}
      <Messages id={`${props.id}-error`} messages={props.messages} />
    </>
  );
}

/** One scalar input (text, secret, number, switch, select, JSON) with its label, help and messages. */
export function ScalarField(props: {
  field: ArgField;
  path: Path;
  value: unknown;
  ctx: Ctx;
  label?: string;
}) {
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
          <FieldFooter id={id} help={help} messages={messages} />
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
        control = (
          <>
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
          </>
        );
        break;
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
      <FieldFooter id={id} help={help} messages={messages} />
    </div>
  );
}
