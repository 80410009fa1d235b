import { keepPreviousData } from '@tanstack/react-query';

/** A page of a keyset-paged list: its rows, and the cursor of the next page (null on the last one). */
export interface KeysetPage<TItem = unknown> {
  items: TItem[];
  nextCursor: string | null;
}

/**
 * The paging part of an infinite query over a keyset-paged list: the first page has no cursor, each page hands
 * back the next one's, and the old rows stay on screen while new filters load, instead of a spinner flashing.
 */
export const keysetPaging = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: KeysetPage) => last.nextCursor ?? undefined,
  placeholderData: keepPreviousData,
};
