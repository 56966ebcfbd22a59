// What the chosen function accepts, read from its JSON Schema (generated from the function's zod schema).
import type { FunctionView } from '../types.ts';

interface PropertySchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

export function ArgsHelp(props: { fn: FunctionView | undefined }) {
  const { fn } = props;
  if (!fn) {
    return (
      <div id="args-help" class="args-help">
        <p class="hint">Pick a function to see its arguments.</p>
      </div>
    );
  }
  const properties = (fn.args_schema.properties ?? {}) as Record<string, PropertySchema>;
  const required = new Set((fn.args_schema.required as string[] | undefined) ?? []);
  const names = Object.keys(properties);
  return (
    <div id="args-help" class="args-help">
      <p class="hint">{fn.description}</p>
      {names.length === 0 ? (
        <p class="hint">This function takes no arguments: leave {'{}'}.</p>
      ) : (
        <table class="schema">
          <caption>Arguments of {fn.key}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const p = properties[name]!;
              const details = [
                required.has(name) && p.default === undefined ? 'required' : null,
                p.default !== undefined ? `default ${JSON.stringify(p.default)}` : null,
                p.enum ? `one of ${p.enum.map((v) => JSON.stringify(v)).join(', ')}` : null,
                p.minimum !== undefined ? `min ${p.minimum}` : null,
                p.maximum !== undefined ? `max ${p.maximum}` : null,
                p.maxLength !== undefined ? `max length ${p.maxLength}` : null,
                p.description ?? null,
              ].filter(Boolean);
              return (
                <tr>
                  <td>
                    <code>{name}</code>
                  </td>
                  <td>{Array.isArray(p.type) ? p.type.join(' | ') : (p.type ?? 'any')}</td>
                  <td>{details.join('; ')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
