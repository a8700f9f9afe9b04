/**
 * nginx (Debian's) as the drill's load balancer: one upstream at a time, switched by rewriting the config and
 * `nginx -s reload` (new workers take new connections, old ones finish what they carry), exactly how a blue-green
 * switch is done by hand. Each response names the instance that served it (X-Upstream) and the access log
 * records it, so the report can count requests per colour.
 */
import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { type Running, freePort, runProcess } from './processes'

const exec = promisify(execFile)

export type Nginx = Readonly<{
  port: number
  accessLog: string
  /** Points the balancer at `upstreamPort` and reloads; resolves once the master took the new config. */
  switchTo: (upstreamPort: number) => Promise<void>
  stop: () => Promise<void>
}>

const config = (dir: string, port: number, upstreamPorts: ReadonlyArray<number>): string => `
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format drill '$upstream_addr $status';
  upstream zkeb {
${upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    access_log ${dir}/access.log drill;
    client_max_body_size 0;
    location / {
      proxy_pass http://zkeb;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_request_buffering off;
      proxy_next_upstream error timeout;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`

/** `upstreamPort`: one instance, or several served round-robin (the two-instance test). */
export const startNginx = async (
  dir: string,
  upstreamPort: number | ReadonlyArray<number>,
): Promise<{ nginx: Nginx; master: Running }> => {
  await mkdir(dir, { recursive: true })
  const port = await freePort()
  const file = path.join(dir, 'nginx.conf')
  await writeFile(file, config(dir, port, typeof upstreamPort === 'number' ? [upstreamPort] : upstreamPort))
  const args = ['-p', dir, '-c', file]
  await exec('nginx', [...args, '-t', '-q'])
  const master = runProcess('nginx', port, 'nginx', [...args, '-g', 'daemon off; user root;'])
  const nginx: Nginx = {
    port,
    accessLog: path.join(dir, 'access.log'),
    switchTo: async (to) => {
      await writeFile(file, config(dir, port, [to]))
      await exec('nginx', [...args, '-s', 'reload'])
    },
    stop: async () => {
      master.child.kill('SIGQUIT')
      await master.exited
    },
  }
  return { nginx, master }
}
