// The protocol numbers this package speaks: facts about pickle itself, which the unpickler,
// the pickler and the stream readers and writers all read from here.

/** The highest protocol this package reads and writes. */
export const HIGHEST_PROTOCOL = 5;

/** The protocol `dumps` uses unless told otherwise: 4, which every Python from 3.4 reads. */
export const DEFAULT_PROTOCOL = 4;
