// The chosen function's arguments as a typed form (from its JSON Schema, via the field tree of
// src/features/jobs/args-form.ts), with the JSON text one click away. Works without JavaScript: the mode is a
// pair of radio buttons (CSS shows the chosen editor), "Add row" is a submit button the server answers with
// the form again, and every list keeps one spare row. htmx swaps the editor when the function changes, and turns
// "Add row" into a request for just the new row (ListRowFragment), added in place with the focus in it.
// Parts: arg-field.tsx (one input with its label, help and messages), arg-rows.tsx (objects, maps, lists).
import type { NamedField } from '../../src/features/jobs/args-form.ts';
import type { FunctionView } from '../types.ts';
import { type Ctx, Messages } from './arg-field.tsx';
import { FieldNode } from './arg-rows.tsx';

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

export { ListRowFragment } from './arg-rows.tsx';

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
