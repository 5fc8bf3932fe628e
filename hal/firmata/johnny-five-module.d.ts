// Minimal declaration: @types/johnny-five is not installed. Only hal/firmata/johnny-five.ts
// touches these values; everything past it is typed through PinIo.
declare module 'johnny-five' {
  const five: { Board: new (options: Record<string, unknown>) => unknown };
  export default five;
}
