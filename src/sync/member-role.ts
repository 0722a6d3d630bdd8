/** Kinds of member: a speaker plays audio; a remote only controls. (Its own module: the first load needs it without the protocol.) */
export const MemberRole = { speaker: 'speaker', remote: 'remote' } as const;
export type MemberRole = (typeof MemberRole)[keyof typeof MemberRole];
