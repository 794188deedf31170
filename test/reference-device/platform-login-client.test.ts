import { describe, expect, it } from 'vitest';
import { readLoginAnswer } from '../../reference-device/platform-login-client.ts';
import { PlatformLogin } from '../../src/transports/platform-login.ts';

// The login page's example answer (V6R2C01 MQ section 4), comments and trailing commas taken out, with the
// mq_login_status the table makes 必选 and the example leaves out, and mq_upload_vhost made mq_vhost: the
// reference device replies on the one connection it consumes on (a limitation of it, tested below).
const PAGE_EXAMPLE = {
  mq_login_status: 0,
  mq_login_token: 'f1556c25c66e4d24afa7b02906b1c8c1',
  mq_img_server_addr: '',
  history_event_upload_url: '/box/cross/record/report',
  history_report_peroid: 5,
  media_device_monitor_url: '/box/media/monitor/status/report',
  media_device_monitor_report_period: 20,
  device_monitor_url: '/box/monitor/status/report',
  device_monitor_report_period: 20,
  mq_server_configs: {
    mq_unneed_bind_exchange: true,
    mq_exchange: {
      mq_exchange_durable: true,
      mq_exchange_arguments: null,
      mq_exchange_name: 'exchange-dev-UMOTRU000120190909103019',
      mq_exchange_passive: false,
      mq_exchange_type: 'topic',
      mq_exchange_auto_delete: false,
    },
    mq_server_ip: '192.168.1.102',
    mq_server_port: 5672,
    mq_username: 'UMOTRU000120190909103019',
    mq_password: '13R9U9',
    mq_down_queue: 'queue-dev-UMOTRU000120190909103019',
    mq_up_queue: 'upload-queue',
    mq_fiqa_down_queue: 'topic.fiqa.download',
    mq_fiqa_up_queue: 'topic.fiqa.upload',
    mq_vhost: '/UMOTRU000120190909103019',
    mq_upload_vhost: '/UMOTRU000120190909103019',
  },
};

// Every 必选 field of the page's tables, by its path in the answer.
const REQUIRED = [
  ['mq_login_status'],
  ['mq_login_token'],
  ['mq_server_configs'],
  ['mq_server_configs', 'mq_server_ip'],
  ['mq_server_configs', 'mq_server_port'],
  ['mq_server_configs', 'mq_username'],
  ['mq_server_configs', 'mq_password'],
  ['mq_server_configs', 'mq_exchange'],
  ['mq_server_configs', 'mq_down_queue'],
  ['mq_server_configs', 'mq_exchange', 'mq_exchange_name'],
  ['mq_server_configs', 'mq_exchange', 'mq_exchange_type'],
  ['mq_server_configs', 'mq_exchange', 'mq_exchange_passive'],
  ['mq_server_configs', 'mq_exchange', 'mq_exchange_durable'],
  ['mq_server_configs', 'mq_exchange', 'mq_exchange_auto_delete'],
] as const;

function edited(path: readonly string[], change: (parent: Record<string, unknown>, key: string) => void): unknown {
  const copy = structuredClone(PAGE_EXAMPLE) as Record<string, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  change(parent, path[path.length - 1] as string);
  return copy;
}

describe('the platform-login-strict device reads a login answer as strictly as the login page', () => {
  it('takes the page’s example and connects where it says', () => {
    expect(readLoginAnswer(PAGE_EXAMPLE)).toEqual({
      token: 'f1556c25c66e4d24afa7b02906b1c8c1',
      url: 'amqp://UMOTRU000120190909103019:13R9U9@192.168.1.102:5672/%2FUMOTRU000120190909103019',
      commandQueue: 'queue-dev-UMOTRU000120190909103019',
      upQueue: 'upload-queue',
      exchange: {
        name: 'exchange-dev-UMOTRU000120190909103019',
        type: 'topic',
        passive: false,
        durable: true,
        autoDelete: false,
        arguments: undefined,
        bind: false,
      },
    });
  });

  it('refuses an answer missing any 必选 field, or giving it another type, and names the field', () => {
    for (const path of REQUIRED) {
      const name = path.join('.');
      expect(() => readLoginAnswer(edited(path, (o, k) => delete o[k])), name).toThrow(name);
      expect(() => readLoginAnswer(edited(path, (o, k) => (o[k] = [1]))), name).toThrow(name);
    }
    // An int is not a string, nor "5672" an int, nor 1 a bool.
    expect(() => readLoginAnswer(edited(['mq_server_configs', 'mq_server_port'], (o, k) => (o[k] = '5672')))).toThrow(
      /mq_server_configs\.mq_server_port expected integer/,
    );
    expect(() =>
      readLoginAnswer(edited(['mq_server_configs', 'mq_exchange', 'mq_exchange_durable'], (o, k) => (o[k] = 1))),
    ).toThrow(/mq_exchange_durable expected boolean/);
    expect(() => readLoginAnswer(edited(['mq_login_status'], (o, k) => (o[k] = 0.5)))).toThrow(/is not an int/);
  });

  it('refuses a login the platform refused (mq_login_status not 0), saying the page’s meaning', () => {
    expect(() => readLoginAnswer({ mq_login_status: 600000, mq_login_token: '' })).toThrow(
      /mq_login_status 600000 \(请求的授权码不存在/,
    );
    expect(() => readLoginAnswer(edited(['mq_login_status'], (o, k) => (o[k] = 500001)))).toThrow(/500001/);
  });

  it('refuses the answer the checker used to give: a result/code envelope and bare exchange keys', () => {
    const old = {
      result: true,
      code: 'EXECUTE_SUCCESS',
      message: 'login succeeded',
      mq_server_configs: {
        mq_server_ip: '127.0.0.1',
        mq_server_port: 5672,
        mq_username: 'guest',
        mq_password: 'guest',
        mq_vhost: '/',
        mq_exchange: { name: 'exchange-dev-K', type: 'topic', durable: true, auto_delete: false },
        mq_down_queue: 'queue-dev-K',
        mq_up_queue: 'upload-queue',
      },
    };
    expect(() => readLoginAnswer(old)).toThrow('the login answer has no mq_login_status (必选)');
    expect(() => readLoginAnswer({ ...old, mq_login_status: 0, mq_login_token: 't' })).toThrow(
      'mq_server_configs.mq_exchange.mq_exchange_name is missing (必选)',
    );
  });

  it('takes optional fields left out or null (None才为空) with the page’s defaults, and refuses them mistyped', () => {
    const bare = edited(['mq_server_configs', 'mq_up_queue'], (o, k) => delete o[k]) as typeof PAGE_EXAMPLE;
    for (const key of ['mq_vhost', 'mq_upload_vhost', 'mq_fiqa_down_queue', 'mq_fiqa_up_queue'] as const) {
      delete (bare.mq_server_configs as Partial<typeof bare.mq_server_configs>)[key];
    }
    (bare.mq_server_configs as Record<string, unknown>).mq_unneed_bind_exchange = null;
    const read = readLoginAnswer(bare);
    expect(read.url).toBe('amqp://UMOTRU000120190909103019:13R9U9@192.168.1.102:5672/%2F');
    expect(read.upQueue).toBeUndefined();
    expect(read.exchange.bind).toBe(true);
    expect(() =>
      readLoginAnswer(edited(['mq_server_configs', 'mq_unneed_bind_exchange'], (o, k) => (o[k] = 'true'))),
    ).toThrow(/mq_unneed_bind_exchange/);
    expect(() =>
      readLoginAnswer(edited(['mq_server_configs', 'mq_upload_vhost'], (o, k) => (o[k] = '/upload'))),
    ).toThrow('mq_upload_vhost "/upload" is not mq_vhost "/UMOTRU000120190909103019"');
    expect(() => readLoginAnswer(edited(['history_report_period'], (o, k) => (o[k] = 0)))).toThrow(
      /history_report_period/,
    );
  });

  it('can use what the checker’s login endpoint answers', () => {
    const login = new PlatformLogin({
      path: '/api/device/login',
      brokerUrl: 'amqp://alice:s3cret@broker.lab:5673/lab',
      commandQueue: 'queue-dev-K1',
      upQueue: 'upload-queue',
    });
    const answer = login.handle({
      method: 'GET',
      url: '/api/device/login?mq_license_key=K1&device_sn=SN1',
      headers: {},
      body: Buffer.alloc(0),
      from: '127.0.0.1',
    });
    expect(answer.status).toBe(200);
    expect(readLoginAnswer(answer.body)).toMatchObject({
      url: 'amqp://alice:s3cret@broker.lab:5673/lab',
      commandQueue: 'queue-dev-K1',
      upQueue: 'upload-queue',
      exchange: { name: 'exchange-dev-K1', passive: false, bind: false },
    });
  });
});
