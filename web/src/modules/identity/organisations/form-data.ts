/** A text field of a submitted form, trimmed; missing fields read as empty. */
export function textOf(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** A password field exactly as typed: spaces can be part of a password, so nothing is trimmed. */
export function passwordOf(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

/**
 * A website address as people type it, made into a URL the server accepts: most people write
 * "example.org" without a scheme, and refusing that would be pedantry. Anything else is left for the
 * server to judge, so there is one set of rules.
 */
export function normaliseWebsite(input: string): string | undefined {
  const value = input.trim();
  if (value === '') return undefined;
  return /^[a-z][a-z\d+.-]*:/i.test(value) ? value : `https://${value}`;
}

/** Field name to message, for the fields a form found empty before asking the server. */
export function missingFields(
  values: Readonly<Record<string, string | readonly string[]>>,
  messages: Readonly<Record<string, string>>,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [name, message] of Object.entries(messages)) {
    const value = values[name];
    if (value === undefined || value.length === 0) errors[name] = message;
  }
  return errors;
}
