/** React access to the lab's clients and store; components select slow state with hooks. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { BatteryClient } from '../client/battery-client';
import type { LabClient } from '../client/lab-client';
import type { StudyClient } from '../client/study-client';
import type { LabState, StudyState } from '../store/lab-store';

export const LabContext = createContext<LabClient | null>(null);
export const BatteryContext = createContext<BatteryClient | null>(null);
export const StudyContext = createContext<StudyClient | null>(null);

export function useStudyClient(): StudyClient {
  const client = useContext(StudyContext);
  if (!client) throw new Error('StudyContext is missing');
  return client;
}

/** The study's state (the store's study slice); re-renders on every study message (a few per second at most). */
export function useStudy(): StudyState {
  return useLab((s) => s.study);
}

export function useBatteryClient(): BatteryClient {
  const client = useContext(BatteryContext);
  if (!client) throw new Error('BatteryContext is missing');
  return client;
}

export function useLabClient(): LabClient {
  const client = useContext(LabContext);
  if (!client) throw new Error('LabContext is missing');
  return client;
}

export function useLab<T>(selector: (s: LabState) => T): T {
  return useStore(useLabClient().store, selector);
}
