// Mock data for the home feed, as in the Cruddur bootcamp. Pure: the route
// decides what is traced.

export interface Activity {
  uuid: string;
  handle: string;
  message: string;
  created_at: string;
  expires_at: string;
  likes_count: number;
  replies_count: number;
  reposts_count: number;
  replies: Activity[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function homeActivities(now: Date = new Date()): Activity[] {
  const at = (offset: number) => new Date(now.getTime() + offset).toISOString();
  return [
    {
      uuid: '68f126b0-1ceb-4a33-88be-d90fa7109eee',
      handle: 'Andrew Brown',
      message: 'Cloud is very fun!',
      created_at: at(-2 * DAY),
      expires_at: at(5 * DAY),
      likes_count: 5,
      replies_count: 1,
      reposts_count: 0,
      replies: [
        {
          uuid: '26e12864-1c26-5c3a-9658-97a10f8fea67',
          handle: 'Worf',
          message: 'This post has no honor!',
          created_at: at(-2 * DAY),
          expires_at: at(5 * DAY),
          likes_count: 0,
          replies_count: 0,
          reposts_count: 0,
          replies: [],
        },
      ],
    },
    {
      uuid: '66e12864-8c26-4c3a-9658-95a10f8fea67',
      handle: 'Worf',
      message: 'I am out of prune juice',
      created_at: at(-7 * DAY),
      expires_at: at(9 * DAY),
      likes_count: 0,
      replies_count: 0,
      reposts_count: 0,
      replies: [],
    },
    {
      uuid: '248959df-3079-4947-b847-9e0892d1bab4',
      handle: 'Garek',
      message: 'My dear doctor, I am just a simple tailor. Are you sure you need a trace of me?',
      created_at: at(-1 * HOUR),
      expires_at: at(12 * HOUR),
      likes_count: 0,
      replies_count: 0,
      reposts_count: 0,
      replies: [],
    },
  ];
}
