/**
 * Sizes of the synthetic data, by preset. Each module adds the counts its generator reads.
 *
 * `small` is demo-sized and quick enough for every run; `large` is the scale the platform is budgeted for
 * (the architecture guide's target: 100k organisations, 1M cases, 10M route legs, 10M blind-index entries).
 */
export interface ScalePreset {
  readonly name: PresetName;
  /** Rows in `bench_items`, the table behind the indexed-query baseline. */
  readonly benchItems: number;
  /** Listed organisations with directory profiles, offices and search rows (`directory_organisations`). */
  readonly directoryOrganisations: number;
  /** Survivor case files (`cases`), spread over `caseOrganisations` organisations of their own. */
  readonly cases: number;
  readonly caseOrganisations: number;
  /** Referrals between the case organisations (`referrals`), about their cases. */
  readonly referrals: number;
  /**
   * The cases the `referrals` suite generates under its referrals: fewer than `cases` in the large preset, since
   * the list budget is about referrals, not cases, and a million cases take about ten minutes to generate. (Until
   * 6 Dec 2026 there was a second reason: each case's ids came from a 32-bit seed, and around 100 000 cases two of
   * them collided; `createItemRng` in prng.ts seeds the generator's whole 128-bit state since.)
   */
  readonly referralCases: number;
}

export const presetNames = ['small', 'large'] as const;
export type PresetName = (typeof presetNames)[number];

export const presets: Readonly<Record<PresetName, ScalePreset>> = {
  small: {
    name: 'small',
    benchItems: 10_000,
    directoryOrganisations: 2_000,
    cases: 5_000,
    caseOrganisations: 20,
    referrals: 10_000,
    referralCases: 5_000,
  },
  large: {
    name: 'large',
    benchItems: 1_000_000,
    directoryOrganisations: 100_000,
    cases: 1_000_000,
    caseOrganisations: 500,
    referrals: 1_000_000,
    referralCases: 20_000,
  },
};

/** True when the text names a preset. */
export function isPresetName(value: string): value is PresetName {
  return (presetNames as readonly string[]).includes(value);
}
