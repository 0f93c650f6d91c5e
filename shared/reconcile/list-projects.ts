import pLimit from 'p-limit';
import { errorMessage } from '../errors.js';
import type { InstanceListing } from '../products/instance-source.js';
import { unreadProject } from '../plan/scope-policies.js';
import type { SyncDeps } from './sync-deps.js';

/**
 * Listings in flight at once across projects and locations: each is a few paged calls per product, and a deployment
 * with many projects must not open a burst of them against the APIs' per-minute read quota.
 */
export const LISTINGS_AT_ONCE = 8;

/** What every configured project answered: the pages of those it could list, and the projects it could not. */
export interface ProjectListings {
  readonly pages: readonly InstanceListing[];
  /** `projects/P` of each project a listing of failed: its instances are unknown, so none of them may be pruned. */
  readonly unread: readonly string[];
}

/**
 * Lists every product in every configured project and location, at most LISTINGS_AT_ONCE at once. A project any of
 * whose listings fails is unknown as a whole (a part of it listed would look like the rest was deleted), and the
 * others go on: one project losing its viewer role must not stop the rest. When no project can be listed, the
 * failure is the resync's, as it is with a single project.
 */
export async function listProjects(deps: SyncDeps): Promise<ProjectListings> {
  const { projects, locations } = deps.settings.process;
  const bounded = pLimit(LISTINGS_AT_ONCE);
  const listOne = async (project: string): Promise<{ project: string; pages?: InstanceListing[]; error?: unknown }> => {
    try {
      return {
        project,
        pages: await Promise.all(locations.map((l) => bounded(() => deps.instances.list(project, l)))),
      };
    } catch (error) {
      return { project, error };
    }
  };
  const perProject = await Promise.all(projects.map(listOne));
  const failed = perProject.filter((p) => p.pages === undefined);
  if (failed.length === perProject.length && failed[0]) throw failed[0].error;
  for (const { project, error } of failed)
    deps.log.error(
      { project, error: errorMessage(error) },
      'project could not be listed; its instances are left as they are until a listing succeeds',
    );
  return { pages: perProject.flatMap((p) => p.pages ?? []), unread: failed.map((p) => unreadProject(p.project)) };
}
