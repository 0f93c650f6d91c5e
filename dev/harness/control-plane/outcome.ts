import { ApiException } from '@kubernetes/client-node';

/** HTTP status of a Kubernetes API call, and the server's message when it failed. */
export interface Outcome {
  readonly status: number;
  readonly message: string;
}

export async function outcome(call: Promise<unknown>): Promise<Outcome> {
  try {
    await call;
    return { status: 200, message: '' };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = (error as ApiException<unknown>).body;
    return {
      status: (error as ApiException<unknown>).code,
      message: typeof body === 'string' ? body : JSON.stringify(body),
    };
  }
}
