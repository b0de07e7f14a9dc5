import { jsonCall } from '../../api/json-api';
import { useAsync } from '../../ui/use-async';
import { Field } from '../../ui/widgets';

interface Alias {
  AliasName: string;
  TargetKeyId?: string;
}

/** A KMS key for a secret: the default (aws/secretsmanager) or one of the account's aliases, or any key id or ARN typed in. */
export function KmsKeyChoice({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const aliases = useAsync(() => jsonCall<{ Aliases: Alias[] }>('kms', 'ListAliases', { Limit: 100 }), []);
  const choices = (aliases.data?.Aliases ?? []).filter((a) => a.TargetKeyId && !a.AliasName.startsWith('alias/aws/'));
  return (
    <Field label="KMS key" hint="Empty: the default key aws/secretsmanager. An alias, key id or key ARN.">
      <input list="kms-key-choices" value={value} onInput={(e) => onChange(e.currentTarget.value)} placeholder="alias/aws/secretsmanager" spellcheck={false} />
      <datalist id="kms-key-choices">
        {choices.map((a) => (
          <option key={a.AliasName} value={a.AliasName} />
        ))}
      </datalist>
    </Field>
  );
}
