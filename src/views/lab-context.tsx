/** React access to the lab's client and store; components select slow state with hooks. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { LabClient } from '../client/lab-client';
import type { LabState } from '../store/lab-store';

export const LabContext = createContext<LabClient | null>(null);

export function useLabClient(): LabClient {
  const client = useContext(LabContext);
  if (!client) throw new Error('LabContext is missing');
  return client;
}

export function useLab<T>(selector: (s: LabState) => T): T {
  return useStore(useLabClient().store, selector);
}
