/** What InFlight keeps on each of its members: its place, -1 when it is not one. */
export interface Slotted {
  inFlightSlot: number;
}

/**
 * The requests being handled asynchronously, for the blocking report's suspects and the
 * concurrency limit: a Set without the Set. Each member knows its slot, so adding and removing
 * hash nothing, and the slots and the list of free ones only grow (to the most requests ever in
 * flight at once): a Set that went from empty to one and back, as it does for every request of a
 * server that is not saturated, reallocated its table each time.
 */
export class InFlight<T extends Slotted> {
  readonly #slots: (T | undefined)[] = [];
  // A stack of free slots, with its own top: Array.prototype.pop may shrink the array's store.
  readonly #free: number[] = [];
  #top = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(member: T): void {
    const slot = this.#top > 0 ? this.#free[--this.#top]! : this.#slots.length;
    this.#slots[slot] = member;
    member.inFlightSlot = slot;
    this.#size++;
  }

  /** Removes `member`; false if it was not in flight. */
  delete(member: T): boolean {
    const slot = member.inFlightSlot;
    if (slot < 0 || this.#slots[slot] !== member) return false;
    this.#slots[slot] = undefined;
    this.#free[this.#top++] = slot;
    member.inFlightSlot = -1;
    this.#size--;
    return true;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const member of this.#slots) if (member !== undefined) yield member;
  }
}
