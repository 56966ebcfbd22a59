// The cron field's live answer: the parser's reason, or a description and the next fire times in the zone.
import type { CronPreviewView } from '../types.ts';

export function CronPreview(props: { preview: CronPreviewView | null }) {
  const { preview } = props;
  if (!preview) {
    return (
      <div id="cron-preview" class="cron-preview" aria-live="polite">
        <p class="hint">Type an expression to see its next runs.</p>
      </div>
    );
  }
  if (!preview.valid) {
    return (
      <div id="cron-preview" class="cron-preview invalid" aria-live="polite">
        <p class="field-error">Invalid cron: {preview.reason}</p>
      </div>
    );
  }
  return (
    <div id="cron-preview" class="cron-preview" aria-live="polite">
      <p>
        <strong>{preview.description ?? 'Valid expression'}</strong> ({preview.timezone})
      </p>
      <p class="hint">Next {preview.next.length} runs:</p>
      <ol class="next-runs">
        {preview.next.map((fire) => (
          <li>
            <time datetime={fire.utc}>{fire.local}</time>
          </li>
        ))}
      </ol>
    </div>
  );
}
