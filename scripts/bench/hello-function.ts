/**
 * The smallest Functions Framework function: the baseline the bench compares the project's cold start and idle
 * memory with (what the framework itself costs).
 */
import * as functions from '@google-cloud/functions-framework';

functions.http('hello', (_request, response) => {
  response.send('hello');
});
