/** React access to the lab's client and store; components select slow state with hooks. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { BatteryClient } from '../client/battery-client';
import type { LabClient } from '../client/lab-client';
import type { LabState } from '../store/lab-store';

export const LabContext = createContext<LabClient | null>(null);
export const BatteryContext = createContext<BatteryClient | null>(null);

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
