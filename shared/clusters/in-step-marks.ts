/**
 * The clusters each recent event was brought in step with, as this process reconciled them: a redelivery of the
 * event (the same Pub/Sub message after some cluster failed) then reconciles only the clusters still to do.
 */
export class InStepMarks {
  private readonly done = new Map<string, Set<string>>();

  constructor(private readonly capacity = 1000) {}

  inStep(eventId: string): ReadonlySet<string> {
    return this.done.get(eventId) ?? new Set();
  }

  mark(eventId: string, cluster: string): void {
    const clusters = this.done.get(eventId) ?? new Set<string>();
    clusters.add(cluster);
    this.done.delete(eventId);
    this.done.set(eventId, clusters);
    // The oldest event goes first: a redelivery comes within minutes, while the event is still among the latest.
    if (this.done.size > this.capacity) this.done.delete(this.done.keys().next().value!);
  }
}
