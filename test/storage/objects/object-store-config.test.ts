import { expect } from 'chai';
import { ObjectStoreConfigError } from '../../../src/storage/objects/object-store';
import { describeObjectStore, parseObjectStoreUrl, resolveCredentials } from '../../../src/storage/objects/object-store-config';
import { openObjectStore, ObjectStoreStartupError } from '../../../src/storage/objects/open-object-store';

describe('object store URLs', () => {
  it('parses fs, memory, s3, azblob and gcs URLs', () => {
    expect(parseObjectStoreUrl('fs:///var/lib/t/objects/')).to.deep.equal({ backend: 'fs', root: '/var/lib/t/objects' });
    expect(parseObjectStoreUrl('memory://')).to.deep.equal({ backend: 'memory' });
    expect(parseObjectStoreUrl('s3://logs/cluster-a?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=eu-west-1')).to.deep.include({
      backend: 's3', bucket: 'logs', prefix: 'cluster-a', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', conditionalCreate: false,
    });
    expect(parseObjectStoreUrl('azblob://segments?endpoint=http://127.0.0.1:10000/devstoreaccount1&account_name=dev')).to.deep.include({
      backend: 'azblob', container: 'segments', prefix: '', endpoint: 'http://127.0.0.1:10000/devstoreaccount1', accountName: 'dev',
    });
    expect(parseObjectStoreUrl('gcs://b/p/q')).to.deep.include({ backend: 'gcs', bucket: 'b', prefix: 'p/q' });
  });

  it('rejects relative fs paths, unknown backends, unknown parameters and missing buckets with a clear message', () => {
    const cases: Array<[string, RegExp]> = [
      ['fs://relative/path', /no host/],
      ['fs:///', /absolute directory/],
      ['ftp://x', /unknown backend ftp/],
      ['s3://b?colour=red', /unknown s3 parameter colour/],
      ['s3://', /bucket name is missing/],
      ['not a url', /is not a URL/],
    ];
    for (const [url, message] of cases) {
      expect(() => parseObjectStoreUrl(url), url).to.throw(ObjectStoreConfigError, message);
    }
  });

  it('takes credentials from the environment when the config has none, and never prints them', () => {
    const s3 = resolveCredentials(parseObjectStoreUrl('s3://b'), { AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_REGION: 'ap-south-1' });
    expect(s3).to.deep.include({ accessKeyId: 'AK', secretAccessKey: 'SK', region: 'ap-south-1' });
    const az = resolveCredentials(parseObjectStoreUrl('azblob://c?account_key=FROMURL'), { AZURE_STORAGE_ACCOUNT: 'acct', AZURE_STORAGE_KEY: 'ENV' });
    expect(az).to.deep.include({ accountName: 'acct', accountKey: 'FROMURL' });
    expect(describeObjectStore(s3)).to.not.match(/SK|AK/);
  });
});

describe('opening an object store', () => {
  it('fails at startup with the backend named when the store is unreachable', async () => {
    const error = await openObjectStore('s3://b?endpoint=http%3A%2F%2F127.0.0.1%3A1&region=us-east-1&access_key_id=a&secret_access_key=b')
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ObjectStoreStartupError);
    expect((error as Error).message).to.match(/^object store s3:\/\/b\/ at http:\/\/127\.0\.0\.1:1 .* is not usable/);
  });

  it('fails at startup when gcs has no credentials, without probing a VM metadata server', async () => {
    const error = await openObjectStore('gcs://b?endpoint=http%3A%2F%2F127.0.0.1%3A1').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ObjectStoreStartupError);
    expect((error as Error).message).to.match(/gcs:\/\/b\/ .* is not usable: .*no valid credential/);
  });

  it('refuses azblob without a key or SAS token at startup', async () => {
    const error = await openObjectStore('azblob://c?endpoint=http%3A%2F%2F127.0.0.1%3A1%2Fa&account_name=a').catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ObjectStoreStartupError);
    expect((error as Error).message).to.match(/cannot be configured: azblob needs account_key or sas_token/);
  });

  it('opens a working store after a write/read/delete probe that leaves nothing behind', async () => {
    const store = await openObjectStore('memory://');
    expect(await store.list('')).to.deep.equal([]);
  });
});
