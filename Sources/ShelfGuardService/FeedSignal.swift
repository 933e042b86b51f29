/// Wakes feed requests that are waiting for events when this server changes the shelf (a
/// measure, a decision), so that a storefront learns of a takedown at once; changes made
/// elsewhere are seen at the next look at the store.
actor FeedSignal {
    /// How many times `notify` was called: a request notes it before it reads the store, and
    /// does not wait if it changed meanwhile (a change that landed between its read and its
    /// wait would otherwise be slept through).
    private(set) var generation = 0
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    /// Waits begun and not yet over.
    private var pending: Set<Int> = []
    private var nextID = 0

    /// Wakes every waiting request.
    func notify() {
        generation += 1
        for waiter in waiters.values { waiter.resume() }
        waiters.removeAll()
        pending.removeAll()
    }

    private func register() -> Int {
        nextID += 1
        pending.insert(nextID)
        return nextID
    }

    private func wait(_ id: Int) async {
        guard pending.contains(id) else { return }
        await withCheckedContinuation { waiters[id] = $0 }
    }

    private func end(_ id: Int) {
        pending.remove(id)
        waiters.removeValue(forKey: id)?.resume()
    }

    /// Returns when `notify` is called or `seconds` have passed, whichever comes first; at once
    /// when it was called since `generation` was `seen`.
    func wait(upTo seconds: Double, unchangedSince seen: Int? = nil) async {
        if let seen, seen != generation { return }
        let id = register()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(id) }
            group.addTask { try? await Task.sleep(for: .seconds(seconds)) }
            await group.next()
            await self.end(id)
            group.cancelAll()
        }
    }
}
