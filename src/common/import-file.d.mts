/** A TypeScript file spry cannot load without tsx, which is not installed. */
export declare class NeedsTsx extends Error {}
/** Registers tsx's hooks; false when tsx is not installed. */
export declare function registerTsx(): Promise<boolean>;
/** Whether this Node strips types itself. */
export declare function stripsTypes(): boolean;
/** Imports a module, through tsx only if Node's type stripping cannot load it. */
export declare function importFile(url: string): Promise<Record<string, unknown>>;
