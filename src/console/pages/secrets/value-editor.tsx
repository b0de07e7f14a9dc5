import { useState } from 'preact/hooks';
import { Field } from '../../ui/widgets';

type Pair = { key: string; value: string };

/**
 * A new secret value as key/value pairs (stored as a JSON object, as AWS's console does) or as
 * plain text. Inputs are not spell-checked or autocompleted, so the browser keeps no copy.
 */
export function ValueEditor({ onChange }: { onChange: (value: string) => void }) {
  const [mode, setMode] = useState<'pairs' | 'text'>('pairs');
  const [pairs, setPairs] = useState<Pair[]>([{ key: '', value: '' }]);
  const [text, setText] = useState('');
  const publish = (next: Pair[]) => {
    setPairs(next);
    onChange(JSON.stringify(Object.fromEntries(next.filter((p) => p.key).map((p) => [p.key, p.value]))));
  };
  const setPair = (index: number, change: Partial<Pair>) => publish(pairs.map((p, i) => (i === index ? { ...p, ...change } : p)));
  return (
    <fieldset class="value-editor">
      <legend>Secret value</legend>
      <div class="tabs" role="radiogroup" aria-label="Value format">
        <label class="check">
          <input type="radio" name="value-mode" checked={mode === 'pairs'} onChange={() => (setMode('pairs'), publish(pairs))} /> Key/value pairs
        </label>
        <label class="check">
          <input type="radio" name="value-mode" checked={mode === 'text'} onChange={() => (setMode('text'), onChange(text))} /> Plaintext
        </label>
      </div>
      {mode === 'pairs' ? (
        <div class="pairs">
          {pairs.map((pair, i) => (
            <div class="pair" key={i}>
              <Field label={`Key ${i + 1}`}>
                <input value={pair.key} onInput={(e) => setPair(i, { key: e.currentTarget.value })} spellcheck={false} autocomplete="off" />
              </Field>
              <Field label={`Value ${i + 1}`}>
                <input type="password" value={pair.value} onInput={(e) => setPair(i, { value: e.currentTarget.value })} spellcheck={false} autocomplete="new-password" />
              </Field>
              <button type="button" onClick={() => publish(pairs.filter((_, j) => j !== i))} disabled={pairs.length === 1} aria-label={`Remove pair ${i + 1}`}>
                Remove
              </button>
            </div>
          ))}
          <button type="button" onClick={() => publish([...pairs, { key: '', value: '' }])}>
            Add pair
          </button>
        </div>
      ) : (
        <Field label="Plaintext value">
          <textarea
            rows={5}
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
              onChange(e.currentTarget.value);
            }}
            spellcheck={false}
            autocomplete="off"
          />
        </Field>
      )}
    </fieldset>
  );
}
