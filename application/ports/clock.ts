/** The only source of time in the application. Tests control it; adapters read the system clock. */
export type Clock = { readonly now: () => Date }
