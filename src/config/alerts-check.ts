import type { AlertsConfig } from './schema.js';

export const TELEGRAM_TOKEN_AND_CHAT = 'telegram_token_and_chat';

/**
 * Telegram needs both its bot token and its chat: with one alone no message can be sent. Not a
 * schema rule, because a command that only reads leaves an unset `${TOKEN}` out and must still
 * load the file; the loader applies it to every other command, located at the key that is set.
 */
export function incompleteTelegram(alerts: AlertsConfig): { present: readonly string[]; message: string } | null {
  const { bot_token: token, chat_id: chat } = alerts.telegram;
  if ((token === undefined) === (chat === undefined)) return null;
  const [set, missing] = token === undefined ? ['chat_id', 'bot_token'] : ['bot_token', 'chat_id'];
  return {
    present: ['alerts', 'telegram', set],
    message: `alerts.telegram.${missing} is required when alerts.telegram.${set} is set: Telegram alerts need both (or neither)`,
  };
}
