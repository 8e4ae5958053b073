// How emails write money and dates (the server's Babel locales): the business picks one in
// Settings, a client may have its own. A locale set through the API stays in the list.

export const LOCALES = [['en_GB', 'English (UK): €1,234.56, 15 Dec 2026'], ['en_US', 'English (US): €1,234.56, Dec 15, 2026'],
  ['en_IE', 'English (Ireland)'], ['de_DE', 'Deutsch: 1.234,56 €, 15.12.2026'], ['de_AT', 'Deutsch (Österreich)'],
  ['de_CH', 'Deutsch (Schweiz)'], ['fr_FR', 'Français: 1 234,56 €'], ['nl_NL', 'Nederlands'], ['es_ES', 'Español'],
  ['it_IT', 'Italiano']];

export function localeOptions(current) {
  return !current || LOCALES.some(([code]) => code === current) ? LOCALES : [...LOCALES, [current, current]];
}
