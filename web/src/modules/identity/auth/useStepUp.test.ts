import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ProblemDetails } from '../../../api/problem';
import { runWithStepUp, StepUpCancelledError } from './useStepUp';

const stepUpRequired = () => {
  const problem: ProblemDetails = {
    type: 'about:blank',
    title: 'Confirm it is you',
    status: 403,
    code: 'step_up_required',
  };
  return new ApiError(403, problem);
};

describe('runWithStepUp', () => {
  it('runs the action once when no step-up is asked for', async () => {
    const action = vi.fn().mockResolvedValue('done');
    const confirm = vi.fn().mockResolvedValue(undefined);
    await expect(runWithStepUp(action, confirm)).resolves.toBe('done');
    expect(action).toHaveBeenCalledTimes(1);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('asks for the passkey check, then runs the action again', async () => {
    const action = vi.fn().mockRejectedValueOnce(stepUpRequired()).mockResolvedValueOnce('done');
    const confirm = vi.fn().mockResolvedValue(undefined);
    await expect(runWithStepUp(action, confirm)).resolves.toBe('done');
    expect(confirm).toHaveBeenCalledTimes(1);
    expect(action).toHaveBeenCalledTimes(2);
  });

  it('does not run the action again when the person declines', async () => {
    const action = vi.fn().mockRejectedValue(stepUpRequired());
    const confirm = vi.fn().mockRejectedValue(new StepUpCancelledError());
    await expect(runWithStepUp(action, confirm)).rejects.toBeInstanceOf(StepUpCancelledError);
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('passes other failures straight through, and does not loop on a second refusal', async () => {
    const other = new ApiError(409, undefined);
    await expect(runWithStepUp(vi.fn().mockRejectedValue(other), vi.fn())).rejects.toBe(other);
    const always = vi.fn().mockRejectedValue(stepUpRequired());
    await expect(runWithStepUp(always, vi.fn().mockResolvedValue(undefined))).rejects.toBeInstanceOf(
      ApiError,
    );
    expect(always).toHaveBeenCalledTimes(2);
  });
});
