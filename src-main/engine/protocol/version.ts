export const SERVER_NAME = 'Cycast Studio';
export const SERVER_VERSION = '0.1.0';
export const SERVER_ID = `${SERVER_NAME}/${SERVER_VERSION}`;
