extension Array {
    /// Empties the array and keeps its storage, like `removeAll(keepingCapacity: true)` but without that call's
    /// fixed cost (~10 ns) for the short scratch lists the conversion empties several times per series.
    @inline(__always)
    mutating func clearKeepingCapacity() {
        if count > 16 {
            removeAll(keepingCapacity: true)
        } else {
            while !isEmpty { removeLast() }
        }
    }
}
