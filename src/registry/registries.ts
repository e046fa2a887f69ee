import type { Registry } from '../oci/reference'
import { RegistryClient, type ClientOptions } from './client'

/** One client per registry host for a run, so that tokens and the auth scheme are learnt once. */
export class Registries {
  private readonly clients = new Map<string, RegistryClient>()
  constructor(private readonly options: ClientOptions) {}

  client(registry: Registry): RegistryClient {
    let client = this.clients.get(registry.name)
    if (!client) {
      client = new RegistryClient(registry, this.options)
      this.clients.set(registry.name, client)
    }
    return client
  }
}
