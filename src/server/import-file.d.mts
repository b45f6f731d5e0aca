export declare function importFile(url: string): Promise<Record<string, unknown>>;
