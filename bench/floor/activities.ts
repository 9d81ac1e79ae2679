export interface FloorActivities {
  nothing(): Promise<void>;
}

export const floorActivities: FloorActivities = {
  async nothing() {},
};
