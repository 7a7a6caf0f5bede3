import type { Dispatch, ReactNode, SetStateAction } from 'react';
import { rowKey, type EditorState } from '../editor-state';

/** The editor's repeated groups: lists of rows, each with a key of its own. */
export type ListName = 'otherNames' | 'descriptions' | 'offices' | 'hotlines' | 'networks' | 'contacts';
export type RowOf<K extends ListName> = EditorState[K][number];

/** The parts of a row of `K` that hold text, so a text control can edit them. */
type TextPart<K extends ListName> = {
  [P in keyof RowOf<K>]: RowOf<K>[P] extends string ? P : never;
}[keyof RowOf<K>] &
  string;

/** The props that bind a control to one text part of a row. */
export type TextOf<K extends ListName> = (part: TextPart<K>) => {
  name: string;
  value: string;
  onChange: (event: { target: { value: string } }) => void;
};

/** Adding, changing and removing the rows of the editor's repeated groups. */
export function rowEditing(setState: Dispatch<SetStateAction<EditorState>>) {
  const change = <K extends ListName>(list: K, rows: (current: RowOf<K>[]) => RowOf<K>[]) =>
    setState((current) => ({ ...current, [list]: rows(current[list]) }));
  const update = <K extends ListName>(list: K, key: string, patch: Partial<RowOf<K>>) =>
    change(list, (rows) => rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  return {
    update,
    /** Adds a row at the end of the list, with a new key. */
    add: <K extends ListName>(list: K, row: Omit<RowOf<K>, 'key'>) =>
      change(list, (rows) => [...rows, { key: rowKey(), ...row } as RowOf<K>]),
    remove: (list: ListName, key: string) => change(list, (rows) => rows.filter((row) => row.key !== key)),
    /**
     * A row's controls, for a list's `renderRow`: `render` is given the row, the name, value and change
     * handler of the control for each text part of it (`text('label')`), and its index.
     */
    fields:
      <K extends ListName>(list: K, render: (row: RowOf<K>, text: TextOf<K>, index: number) => ReactNode) =>
      (row: RowOf<K>, index: number) =>
        render(
          row,
          (part) => ({
            name: `${list}.${index}.${part}`,
            value: row[part] as string,
            onChange: (event) => update(list, row.key, { [part]: event.target.value } as Partial<RowOf<K>>),
          }),
          index,
        ),
  };
}
