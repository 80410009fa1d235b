import { Badge, createTheme, Table } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'sm',
  // Focus rings for keyboard users everywhere (Mantine's default is the same, stated here on purpose).
  focusRing: 'auto',
  fontFamily:
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  headings: { fontWeight: '650' },
  components: {
    // A badge's text is its meaning: never let a narrow table column cut it to "FAIL…".
    Badge: Badge.extend({
      styles: { root: { flexShrink: 0, overflow: 'visible' }, label: { overflow: 'visible' } },
    }),
    Table: Table.extend({ styles: { th: { whiteSpace: 'nowrap' } } }),
  },
});
