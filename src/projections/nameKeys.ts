/**
 * Keys a catalog view stores beside a name so that lists can search and sort it through an index.
 *
 * `nameSearch` folds away what a reader does not type: compatibility forms (NFKD), combining marks
 * (Latin accents, Arabic harakat, shadda, sukun, the hamza and madda that NFKD splits off alef),
 * the Arabic tatweel, letter case, and runs of spaces. "Él" and "el", "أحمد" and "احمد" meet.
 *
 * `nameSort` is the folded name followed by the exact (NFC) name, compared by code point as both
 * SQLite and MongoDB compare strings: names order by their base letters first (Unicode orders
 * Latin and Arabic letters alphabetically within their blocks), and names that fold alike keep a
 * stable order. It approximates the primary strength of the Unicode Collation Algorithm without
 * per-locale tailoring; Intl.Collator gives no sort keys an index could store.
 */
const combiningMarks = /\p{M}/gu;
const tatweel = /\u0640/g;
const spaces = /\s+/gu;

export const searchKey = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(combiningMarks, '')
    .replace(tatweel, '')
    // Alef maksura is written for a final ya in much of the Arab world; a search for either finds both.
    .replace(/\u0649/g, '\u064A')
    .toLowerCase()
    .replace(spaces, ' ')
    .trim();

/** Below every character a name can hold, so a name sorts before its own extensions. */
const separator = '\u0001';

export const sortKey = (name: string): string => `${searchKey(name)}${separator}${name.normalize('NFC')}`;

export const nameKeys = (name: string): { nameSearch: string; nameSort: string } => ({
  nameSearch: searchKey(name),
  nameSort: sortKey(name),
});

/** The public shape of a catalog document: without the keys the lists use, the rest in its order. */
export const withoutNameKeys = <D extends Record<string, unknown>>(document: D): Omit<D, 'nameSearch' | 'nameSort'> => {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(document)) if (key !== 'nameSearch' && key !== 'nameSort') rest[key] = document[key];
  return rest as Omit<D, 'nameSearch' | 'nameSort'>;
};
