// What tests/browser/site.test.mjs checks on each topic page.
//   rows:       data-key → [engine value, 'match' | 'corrected', relative tolerance]
//   corrections: rows whose correction note must be shown
//   quiz:       [a right answer, a wrong answer]
//   keyboard:   { input, value, row: [key, new engine value, tol] | text: [selector, text] }
//   click:      a button to press first
//   text:       strings the page must show
//   shot:       take desktop and 380 px screenshots
export const PAGES = {
  graph: {
    click: '#backward',
    rows: {},
    text: ['−24', '16', 'e = d + c'],
    quiz: ['2*(a*b+c)*a', '2*(a*b+c)'],
    keyboard: { input: 'a', value: 3, text: ['#grad-rows', '−6'] },
    shot: true,
  },
  'chain-rule': {
    rows: { y: [5, 'match'], dydx: [4, 'match'], dzdy: [3, 'match'], dzdx: [12, 'match'], L: [25, 'match'], dLds: [10, 'match'], dLda: [10, 'match'], dLdb: [10, 'match'] },
    quiz: ['6*x', '2*x'],
    keyboard: { input: 'x', value: 3, row: ['dzdx', 18] },
  },
};
