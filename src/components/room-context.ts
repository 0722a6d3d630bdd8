/** The room session, provided by <tutti-app> to any descendant that needs the service. */
import { createContext } from '@lit/context';
import type { RoomSession } from '../room/room-session.js';

export const roomContext = createContext<RoomSession | null>(Symbol('tutti-room-session'));
