// The operator inputs wired to the rig's emulated Uno, kept apart from the device so the
// console's control-socket client loads no emulator.
export const RIG_BUTTONS = ['start', 'stop', 'acknowledge', 'footswitch', 'estop'] as const;
export type RigButton = (typeof RIG_BUTTONS)[number];
