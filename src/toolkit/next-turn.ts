import { setImmediate } from "node:timers";

/**
 * What one turn of the event loop gathers for the next: each item is handed once to `each`, by
 * one immediate for all of them (node-request.ts and fetch-request.ts watch the clients of the
 * requests whose signal was read this way). Two lists taken in turn and emptied slot by slot
 * rather than a new array each turn: that array, grown by its first push, was about 180 B
 * allocated for every request that came alone in its turn (bench/alloc-sites.mjs, /slow_task/).
 * An item added while `each` runs goes to the other list, for the turn after.
 */
export class NextTurn<T> {
  #items: (T | undefined)[] = [];
  #spare: (T | undefined)[] = [];
  #count = 0;
  readonly #run: () => void;

  constructor(each: (item: T) => void) {
    this.#run = () => {
      const items = this.#items;
      const count = this.#count;
      this.#items = this.#spare;
      this.#spare = items;
      this.#count = 0;
      for (let i = 0; i < count; i++) {
        const item = items[i] as T;
        // Not kept past its turn.
        items[i] = undefined;
        each(item);
      }
    };
  }

  add(item: T): void {
    this.#items[this.#count] = item;
    if (++this.#count === 1) setImmediate(this.#run);
  }
}
