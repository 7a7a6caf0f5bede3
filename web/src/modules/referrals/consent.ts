import type { CaseFile } from '../cases/api';

/**
 * The sections a live Referral consent naming this recipient covers, read from the case file's consents. It
 * only tells the sender what can be picked; the server checks the same again when the referral is made and
 * sent, and on every read by the recipient.
 */
export function coveredSections(
  file: Pick<CaseFile, 'consents'>,
  recipientId: string | undefined,
): Set<string> {
  const covered = new Set<string>();
  if (!recipientId) return covered;
  for (const consent of file.consents) {
    if (consent.active && consent.purpose === 'Referral' && consent.recipientOrganisation?.id === recipientId)
      for (const section of consent.sections) covered.add(section);
  }
  return covered;
}
